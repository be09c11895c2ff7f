"""One cold start, timed inside a fresh interpreter of the runtime-only venv (see cold_bench).

`python cold_start_child.py kling_edit|httpx` prints the CPU seconds of the imports and of the
first call, then the same two as wall time. kling_edit: `import kling_edit`, then `tasks.get()`;
httpx: `import httpx`, then the same GET and `json()`. Both sides answer from the same
`httpx.MockTransport` with the same canned body. Nothing but these constants is imported before
the clocks start.
"""

import sys
import time

from bench_canned import BASE_URL, CONTENT_TYPE, KEY, TASK_BODY, TASK_ID, TASK_PATH


def main(side: str) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    if side == "kling_edit":
        import kling_edit
    import httpx

    imported_cpu, imported_wall = time.process_time(), time.perf_counter()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=TASK_BODY, headers=CONTENT_TYPE)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    if side == "kling_edit":
        client = kling_edit.KlingEdit(api_key=KEY, base_url=BASE_URL, http_client=http)
        client.tasks.get(TASK_ID)
    else:
        http.get(BASE_URL + TASK_PATH, headers={"Authorization": f"Bearer {KEY}"}).json()
    print(
        imported_cpu - cpu,
        time.process_time() - imported_cpu,
        imported_wall - wall,
        time.perf_counter() - imported_wall,
    )


if __name__ == "__main__":
    main(sys.argv[1])
