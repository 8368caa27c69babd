#!/usr/bin/env bash
# libhorizon as an installed library: `cmake --install` into a temporary
# prefix places the headers, libhorizon.so (SONAME from the version) and
# libhorizon.a, the horizon CLI and lib/pkgconfig/horizon.pc; a small C
# program (tests/cli/install/fc_demo.c) built with nothing but
# `pkg-config --cflags --libs horizon` (shared) and with `--static`
# forecasts a series, and its numbers equal the installed CLI's.  Only
# public symbols are exported.  README.md goes to share/doc/horizon, where
# the systemd units' Documentation= points.
source "$HZ_SRC/tests/cli/lib.sh"
B="${HZ_BUILD:?HZ_BUILD must point to the build directory}"
for tool in cmake pkg-config cc nm readelf; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
P="$T/prefix"

cmake --install "$B" --prefix "$P" >"$T/install.log" 2>&1
check "cmake --install exit 0" test $? -eq 0
ver=$("$HORIZON" --version | awk '{print $2}')
major=${ver%%.*}
rest=${ver#*.}
minor=${rest%%.*}
if [[ "$major" == 0 ]]; then so="0.$minor"; else so="$major"; fi
check "horizon.h installed" test -f "$P/include/horizon/horizon.h"
check "version.h installed" grep -q "HZ_VERSION_STRING \"$ver\"" "$P/include/horizon/version.h"
check "no template installed" test ! -e "$P/include/horizon/version.h.in"
check "libhorizon.a installed" test -f "$P/lib/libhorizon.a"
check "libhorizon.so.$ver installed" test -f "$P/lib/libhorizon.so.$ver"
check "libhorizon.so link" test -L "$P/lib/libhorizon.so"
check "SONAME libhorizon.so.$so" \
    bash -c "readelf -d '$P/lib/libhorizon.so' | grep -q 'SONAME.*\[libhorizon.so.$so\]'"
check "horizon installed" test -x "$P/bin/horizon"
check "horizon.pc installed" test -f "$P/lib/pkgconfig/horizon.pc"
check "installed CLI runs" bash -c "'$P/bin/horizon' --version | grep -qF '$ver'"
# the manual, where the systemd units' Documentation= points (under the
# prefix they assume, /usr/local)
doc=$(sed -n 's|^Documentation=file:///usr/local/||p' \
    "$HZ_SRC/deploy/systemd/horizon-run.service")
check "the units' Documentation= is under /usr/local" test -n "$doc"
check "README installed as $doc" cmp -s "$HZ_SRC/README.md" "$P/$doc"

# only hz_ symbols exported, none of the internal hz__ ones
nm -D --defined-only "$P/lib/libhorizon.so" | awk '{print $3}' >"$T/syms"
check "exports hz_forecast_series" grep -qx hz_forecast_series "$T/syms"
check "exports hz_version" grep -qx hz_version "$T/syms"
check "no hz__ symbol exported" bash -c "! grep -q '^hz__' '$T/syms'"
check "only hz_ symbols exported" bash -c "! grep -v '^hz_' '$T/syms' | grep -q ."
# every header compiles on its own
for h in "$P"/include/horizon/*.h; do
    echo "#include <horizon/$(basename "$h")>" >"$T/h.c"
    cc -std=c11 -Wall -Werror -fsyntax-only -I"$P/include" "$T/h.c" 2>>"$T/hdr.log" ||
        { echo "FAIL: $(basename "$h") is not self-contained"; fails=$((fails + 1)); }
done

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
check "pkg-config version" test "$(pkg-config --modversion horizon)" = "$ver"
src="$HZ_SRC/tests/cli/install/fc_demo.c"
# shared: only what pkg-config says (plus an rpath to find the library)
cc -std=c11 -Wall -Werror "$src" $(pkg-config --cflags --libs horizon) \
    -Wl,-rpath,"$P/lib" -o "$T/fc_shared" 2>"$T/cc.log"
check "build against libhorizon.so: $(cat "$T/cc.log")" test -x "$T/fc_shared"
check "fc_shared needs libhorizon.so.$so" \
    bash -c "readelf -d '$T/fc_shared' | grep -q 'NEEDED.*libhorizon.so.$so'"
# static: libhorizon.a and the private libraries from `pkg-config --static`
libs=$(pkg-config --static --libs horizon)
libs=${libs/-lhorizon/-Wl,-Bstatic -lhorizon -Wl,-Bdynamic}
cc -std=c11 -Wall -Werror "$src" $(pkg-config --cflags horizon) $libs \
    -o "$T/fc_static" 2>"$T/cc.log"
check "build against libhorizon.a: $(cat "$T/cc.log")" test -x "$T/fc_static"
check "fc_static does not need libhorizon.so" \
    bash -c "! readelf -d '$T/fc_static' | grep -q 'NEEDED.*libhorizon'"

# A monthly series with trend and season; the program's forecasts must be
# the CLI's (same engine, other link).
printf 'series_id,period,value\n' >"$T/s.csv"
: >"$T/values"
for i in $(seq 0 59); do
    v=$(awk -v i="$i" 'BEGIN { printf "%.2f", 100 + 1.5 * i + 20 * sin(6.283185307 * i / 12) + ((i * 37) % 11) }')
    printf 'A,%04d-%02d,%s\n' $((2015 + i / 12)) $((i % 12 + 1)) "$v" >>"$T/s.csv"
    echo "$v" >>"$T/values"
done
for m in theta ets arima; do
    "$P/bin/horizon" forecast "$T/s.csv" --long --by series_id --date period \
        --value value --freq month --horizon 6 --level 95 --model $m \
        -o "$T/cli_$m.csv" 2>/dev/null
    # series,date,point,lo95,hi95,model,note -> step,point,lo95,hi95
    awk -F, 'NR > 1 { printf "%d,%s,%s,%s\n", NR - 1, $3, $4, $5 }' "$T/cli_$m.csv" >"$T/want_$m"
    for kind in shared static; do
        "$T/fc_$kind" $m 12 6 <"$T/values" >"$T/got" 2>"$T/err"
        check "fc_$kind $m exit 0: $(cat "$T/err")" test $? -eq 0
        check "fc_$kind $m = CLI" diff <(head -6 "$T/got") "$T/want_$m"
        case $m in theta) want=Theta ;; ets) want="ETS(" ;; arima) want="ARIMA(" ;; esac
        check "fc_$kind $m method $want" grep -qF "$want" <(tail -1 "$T/got")
    done
done

# make install PREFIX=P2 (the Makefile's wrapper around cmake --install)
if [[ -f "$HZ_SRC/Makefile" ]] && command -v make >/dev/null; then
    make -s -C "$HZ_SRC" install-only BUILD="$B" PREFIX="$T/p2" >"$T/make.log" 2>&1
    check "make install PREFIX: $(tail -3 "$T/make.log")" test -f "$T/p2/lib/pkgconfig/horizon.pc"
    check "make install prefix in horizon.pc" grep -qx "prefix=$T/p2" "$T/p2/lib/pkgconfig/horizon.pc"
fi
finish
