# t_layers.sh - make layers (tests/layers.sh): the tree follows the layer
# rule, and every kind of violation planted in a copy of it is printed as
# "file:line: includes X (layer A may not include layer B)" with exit 1.

mkdir -p tree/tests
cp -R "$ROOT/analyzer" "$ROOT/sinks" tree/
cp "$ROOT/tests/layers.sh" tree/tests/

sh tree/tests/layers.sh >out 2>err
assert_eq "the tree: exit 0" 0 $?
assert_eq "the tree: one line" \
    "layers: every include follows the layer rule" "$(cat out)"
assert_eq "the tree: nothing on stderr" "" "$(cat err)"

# One violation of each kind, at the end of files (line numbers below).
plant() { printf '#include "%s"\n' "$2" >>"tree/$1"; wc -l <"tree/$1"; }
l1=$(plant analyzer/base/util.h cli/cli.h)           # up from base
l2=$(plant analyzer/base/util.h sinks/sink.h)        # base to sinks
l3=$(plant sinks/file.c engine/engine.h)             # sinks to the stages
l4=$(plant analyzer/output/notify.h proc/procs.h)    # across one level
l5=$(plant analyzer/proc/probes.h output/report.h)   # ... the other way
l6=$(plant analyzer/input/reader.c sinks/sink.h)     # sinks below conf
l7=$(plant analyzer/conf/config.h proc/procs.h)      # conf below proc
l8=$(plant analyzer/engine/engine.h live.h)          # a driver, by name
l9=$(plant analyzer/match/event.h nowhere.h)         # not found

sh tree/tests/layers.sh >out 2>err
assert_eq "violations: exit 1" 1 $?
assert_eq "violations: every one, in file order" \
"analyzer/base/util.h:$l1: includes cli/cli.h (layer base may not include layer cli)
analyzer/base/util.h:$l2: includes sinks/sink.h (layer base may not include layer sinks)
analyzer/conf/config.h:$l7: includes proc/procs.h (layer conf may not include layer proc)
analyzer/engine/engine.h:$l8: includes live.h (layer engine may not include layer top)
analyzer/input/reader.c:$l6: includes sinks/sink.h (layer input may not include layer sinks)
analyzer/match/event.h:$l9: includes nowhere.h (not found under analyzer/match, analyzer/ or ./)
analyzer/output/notify.h:$l4: includes proc/procs.h (layer output may not include layer proc)
analyzer/proc/probes.h:$l5: includes output/report.h (layer proc may not include layer output)
sinks/file.c:$l3: includes engine/engine.h (layer sinks may not include layer engine)
layers: 9 includes break the layer rule" "$(cat out)"
