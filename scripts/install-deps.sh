#!/usr/bin/env bash
# Install what Horizon needs from Debian 12's packages, idempotently.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also the optional benchmark peers
#                                    (R forecast, scikit-learn, statsmodels)
set -euo pipefail

# fonts-wqy-microhei (1.6 MB to download, 5 MB installed): Chinese,
# Japanese and Korean glyphs for the reports rendered in Chromium
# (fonts-noto-cjk is 57 MB, fonts-droid-fallback has no Hangul); DejaVu has
# Hebrew and Arabic
pkgs=(build-essential cmake pkg-config libgsl-dev libopenblas-openmp-dev
      libcsv-dev libcurl4-openssl-dev libcjson-dev libsqlite3-dev libssl-dev
      libpcre2-dev ca-certificates openssl curl python3 nodejs npm
      zlib1g-dev chromium libxml2-utils fonts-dejavu-core
      fonts-wqy-microhei
      python3-yaml systemd tzdata python3-prometheus-client
      clang clang-tidy cppcheck libclang-rt-14-dev libomp-14-dev)
if [[ "${1:-}" == "--bench" ]]; then
    pkgs+=(r-base-core r-cran-forecast python3-sklearn python3-statsmodels
           python3-pandas hyperfine time)
fi

missing=()
for p in "${pkgs[@]}"; do
    # node/npm may come from elsewhere than Debian: accept them on PATH.
    case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all packages present"
    exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "install-deps: missing packages (${missing[*]}) and not root;" \
             "run as root or install them with apt-get" >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# Several builds may install at once: wait for dpkg/apt locks instead of failing.
APT_LOCK=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${APT_LOCK[@]}" update -qq
$SUDO apt-get "${APT_LOCK[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
