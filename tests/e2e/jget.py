"""Print one value of a JSON document: jget.py FILE PATH.

PATH is dot-separated: keys, list indices, or '#' for the length of the
list or object. Strings print raw, null prints 'null', booleans print
'true'/'false', numbers as JSON. The document is parsed strictly."""
import json
import sys


def main():
    with open(sys.argv[1], "rb") as f:
        doc = json.loads(f.read().decode("utf-8"), strict=True)
    cur = doc
    for part in sys.argv[2].split(".") if sys.argv[2] else []:
        if part == "#":
            cur = len(cur)
        elif isinstance(cur, list):
            cur = cur[int(part)]
        else:
            cur = cur[part]
    if isinstance(cur, str):
        print(cur)
    else:
        print(json.dumps(cur))


main()
