"""The scorecheck subject protocol's serving loop (docs/protocol.md §1), standard library only.

    from scorecheck_protocol import serve
    serve(HELLO, {"schedule": op_schedule, ...})

One JSON request per line on stdin, one JSON response per line on stdout; an exception in an op is
reported as that request's error and the loop keeps serving; EOF ends it.
"""
import json
import sys


def serve(hello, ops):
    while True:
        line = sys.stdin.readline()
        if not line:
            return  # EOF: scorecheck is done
        if not line.strip():
            continue
        req = json.loads(line)
        rid, op = req.get("id"), req.get("op")
        try:
            if op == "hello":
                msg = {"id": rid, "result": hello}
            elif op in ops and op in hello["ops"]:
                msg = {"id": rid, "result": ops[op](req.get("args") or {})}
            else:
                msg = {"id": rid, "error": "unknown op %r" % op}
        except Exception as e:  # report, keep serving
            msg = {"id": rid, "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(msg) + "\n")
        sys.stdout.flush()
