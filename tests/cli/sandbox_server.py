#!/usr/bin/env python3
"""A small HTTP server for the sandbox test (tests/cli/sandbox.sh).

  sandbox_server.py HOST PORT_FILE [OTHER_PORT]
  /data.csv        a CSV dataset
  /secret          text that must never appear in a job's error
  /err             500 with the secret in its body
  /redir-ok        302 to /data.csv on this server
  /redir-loopback  302 to http://127.0.0.1:OTHER_PORT/secret
  /redir-host      302 to http://localhost:OTHER_PORT/secret
  /redir-file      302 to file:///etc/passwd
"""
import http.server
import sys

HOST, PORT_FILE = sys.argv[1], sys.argv[2]
OTHER = sys.argv[3] if len(sys.argv) > 3 else "1"
CSV = "date,value\n" + "".join(
    f"{2022 + i // 12:04d}-{i % 12 + 1:02d}-01,{50 + i}\n" for i in range(24))
SECRET = "SECRET-INTERNAL-7f3a: root:x:0:0"


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body, headers=()):
        b = body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        redirects = {
            "/redir-ok": "/data.csv",
            "/redir-loopback": f"http://127.0.0.1:{OTHER}/secret",
            "/redir-host": f"http://localhost:{OTHER}/secret",
            "/redir-file": "file:///etc/passwd",
            "/redir-userinfo?sig=ORIGSIG": "http://bob:REDIRPW@127.0.0.2:"
            f"{self.server.server_address[1]}/data.csv?sig=REDIRSIG",
        }
        if self.path == "/data.csv":
            self.send(200, CSV)
        elif self.path == "/secret":
            self.send(200, SECRET)
        elif self.path == "/err":
            self.send(500, SECRET)
        elif self.path in redirects:
            self.send(302, SECRET, [("Location", redirects[self.path])])
        else:
            self.send(404, SECRET)


s = http.server.HTTPServer((HOST, 0), H)
with open(PORT_FILE, "w") as f:
    f.write(str(s.server_address[1]))
s.serve_forever()
