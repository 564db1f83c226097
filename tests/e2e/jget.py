"""Print one value of a JSON document: jget.py FILE PATH [ID].

With ID (JSON: 3, "five"), FILE holds JSON lines (the responses of
`mcplog mcp`) and the document is the line whose "id" is ID; "NO
RESPONSE" is printed when there is none.

PATH is dot-separated: keys, list indices, or '#' for the length of the
list or object. Strings print raw, null prints 'null', booleans print
'true'/'false', numbers as JSON. The document is parsed strictly."""
import json
import sys


def main():
    with open(sys.argv[1], "rb") as f:
        text = f.read().decode("utf-8")
    if len(sys.argv) > 3:
        want = json.loads(sys.argv[3])
        docs = [d for d in map(json.loads, text.splitlines()) if d.get("id") == want]
        if not docs:
            print("NO RESPONSE")
            return
        doc = docs[0]
    else:
        doc = json.loads(text, strict=True)
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
