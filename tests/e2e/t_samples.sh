# The bundled sample (samples/logs) is itself a test:
# 1. the scan must agree with the generator's own ground truth
#    (samples/manifest.json), figure by figure;
# 2. the text and JSON reports must equal the committed expected outputs
#    (samples/expected-scan.txt, samples/expected-scan.json) byte for byte.
# Regenerate the expected outputs only after checking a change by hand:
#   make samples-expected

cd "$ROOT" || exit 1
"$MCPLOG" scan --tz UTC --json samples/logs >"$T/scan.json" 2>"$T/err"
assert_eq "scan of samples exits 0" 0 $?
assert_eq "scan of samples prints nothing on stderr" "" "$(cat "$T/err")"

python3 tests/e2e/check_manifest.py samples/manifest.json "$T/scan.json" >"$T/manifest.out"
assert_eq "report agrees with the generator's manifest" 0 $?
if grep -q '^FAIL' "$T/manifest.out"; then
    bad "manifest details" "$(grep '^FAIL' "$T/manifest.out")"
else
    ok "manifest checks: $(grep -c '^ok' "$T/manifest.out") exact figures"
fi

assert_file_eq "JSON report equals samples/expected-scan.json" \
    samples/expected-scan.json "$T/scan.json"
"$MCPLOG" scan --tz UTC samples/logs >"$T/scan.txt" 2>"$T/err"
assert_eq "text scan exits 0" 0 $?
assert_file_eq "text report equals samples/expected-scan.txt" \
    samples/expected-scan.txt "$T/scan.txt"

# The README's first command: scan from inside the sample folder's parent
# with the default ./logs.
(cd samples && "$MCPLOG" scan --tz UTC >"$T/default.txt" 2>"$T/err")
assert_eq "scan with the default ./logs exits 0" 0 $?
assert_eq "default ./logs finds the 7 sample files" \
    "Inputs: 7 files, 13066 lines, 1548.2 KB decoded" "$(head -n 1 "$T/default.txt")"
