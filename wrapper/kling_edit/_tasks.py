"""`client.tasks`: create an edit task (exactly once), wait for it, download the result.

Creating, waiting and downloading import their modules (`_task_work`, `_download`) on first use:
a program that only reads tasks never needs them, and `import kling_edit` stays cheaper.
"""

from __future__ import annotations

import builtins
import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

import httpx

from ._flows import PollSchedule
from ._models import Session, Task
from ._operations import (
    get_task,
    list_tasks,
    pages,
    task_id_of,
)
from ._steps import CreateOptions, ImageInput, RequestOptions

if TYPE_CHECKING:
    from ._client import AsyncKlingEdit, KlingEdit

DEFAULT_WAIT_TIMEOUT = 600.0


class Tasks:
    """Edit tasks: create, look up, wait for, download."""

    def __init__(self, client: KlingEdit) -> None:
        self._client = client

    def create(
        self,
        *,
        session_id: str | Session,
        edit_mode: str,
        prompt: str,
        images: Iterable[ImageInput] | None = None,
        **options: Unpack[CreateOptions],
    ) -> Task:
        """Create an edit task (paid) for a session whose selection is ready.

        `edit_mode` is "addition" (1-2 images), "swap" (exactly 1) or "removal" (none). Images
        are URLs, raw base64, bytes or local jpg/png files (sent as base64). Refer to them in
        the prompt as <<<image_1>>>, and to the video as <<<video_1>>>. `duration` is 5 or 10.
        `watermark=True` asks for a watermarked copy as well (`TaskVideo.watermark_url`); the
        service's default applies when it is None.

        The task is created exactly once: every attempt carries one `external_task_id` (made
        here unless given), and an attempt whose answer was lost is resolved by looking the
        task up by that id before anything is resent. An error says `task_created=False` only
        when no task can exist (None: unknown) and names the `external_task_id`.
        On a client made with `max_concurrent_tasks`, it first waits for a free task slot, and a
        1303 refusal (the account's running tasks at their limit) waits for one again.
        """
        from ._task_work import create_work

        return self._client._create(
            *create_work(self._client._book, session_id, edit_mode, prompt, images, options)
        )

    def remove(
        self, session_id: str | Session, *, prompt: str, **options: Unpack[CreateOptions]
    ) -> Task:
        """Create a removal task: erase the selected object."""
        return self.create(session_id=session_id, edit_mode="removal", prompt=prompt, **options)

    def add(
        self,
        session_id: str | Session,
        *,
        prompt: str,
        images: Iterable[ImageInput],
        **options: Unpack[CreateOptions],
    ) -> Task:
        """Create an addition task: add one or two reference images to the selected area."""
        return self.create(
            session_id=session_id, edit_mode="addition", prompt=prompt, images=images, **options
        )

    def swap(
        self,
        session_id: str | Session,
        *,
        prompt: str,
        image: ImageInput,
        **options: Unpack[CreateOptions],
    ) -> Task:
        """Create a swap task: replace the selected object with one reference image."""
        # Its own image argument is named `image` in errors, not `images[0]`.
        from ._task_work import create_work

        return self._client._create(
            *create_work(self._client._book, session_id, "swap", prompt, [image], options, "image")
        )

    def get(self, task: Task | str, **options: Unpack[RequestOptions]) -> Task:
        """Fetch a task's current state."""
        return self._client._call(get_task(task_id_of(task)), options)

    def get_by_external_id(self, external_task_id: str, **options: Unpack[RequestOptions]) -> Task:
        """Fetch the task created with your `external_task_id`; NotFoundError if there is none."""
        from ._task_work import lookup_work

        return self._client._call(lookup_work(external_task_id), options)

    def list(
        self, *, page: int = 1, page_size: int = 30, **options: Unpack[RequestOptions]
    ) -> builtins.list[Task]:
        """One page of tasks, newest first (page 1-1000, page_size 1-500)."""
        return self._client._call(list_tasks(page, page_size), options)

    def iter_all(
        self, *, page_size: int = 100, **options: Unpack[RequestOptions]
    ) -> Iterator[Task]:
        """Every task, newest first, fetching pages as the iteration needs them."""
        c = self._client
        operations = pages(page_size)

        def iterate() -> Iterator[Task]:
            for operation in operations:
                tasks = c._call(operation, options)
                yield from tasks
                if len(tasks) < page_size:
                    return

        return iterate()

    def wait(
        self,
        task: Task | str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        on_progress: Callable[[Task], object] | None = None,
        poll: PollSchedule | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Task:
        """Poll until the task succeeds; answer the finished Task.

        Raises `TaskFailedError` if it fails and `WaitTimeoutError` (carrying the last Task
        seen) after `timeout` seconds. `on_progress(task)` is called on each status change.
        """
        from ._task_work import wait_work

        flow = wait_work(self._client.poll_schedule, task, timeout, on_progress, poll)
        return self._client._call(flow, {"extra_headers": extra_headers or {}})

    def download(
        self,
        task: Task | str,
        dest: str | os.PathLike[str] = ".",
        *,
        max_bytes: int | None = None,
        index: int = 0,
        timeout: float | httpx.Timeout | None = None,
        on_progress: Callable[[int, int | None], object] | None = None,
    ) -> Path:
        """Stream a result video to `dest`: a file, or a folder that receives "<task_id>.mp4"
        (a path ending in a separator is a folder, made if it is missing).

        `task` is a Task, a task id (the task is fetched first) or a result URL. Constant
        memory; written to a temporary file and renamed, so `dest` never holds a partial file,
        and a body shorter than its Content-Length raises `DownloadError`. Redirects are
        followed (5 at most). `on_progress(bytes_written, total_or_None)` is called after each
        chunk. `timeout` bounds each network operation, not the whole (large) file. The API key
        is not sent: result URLs are pre-signed.
        """
        from ._download import download_failure, download_plan, is_url, next_hop

        if isinstance(task, str) and not is_url(task):
            task = self.get(task)
        url, target = download_plan(task, dest, index, max_bytes, on_progress)
        c = self._client
        c._check_open()
        try:
            request: httpx.Request | None = c._http.build_request(
                "GET", url, timeout=timeout or c.timeout
            )
            for hops in itertools.count():
                assert request is not None
                response = c._http.send(request, stream=True)
                try:
                    request = next_hop(response, hops)
                    if request is None:
                        target.check_response(response.status_code, response.headers, url)
                        with target:
                            for chunk in response.iter_bytes():
                                target.write(chunk)
                            target.check_complete(response.num_bytes_downloaded)
                        return target.path
                finally:
                    response.close()
        except httpx.RequestError as error:
            raise download_failure(error) from error
        raise AssertionError("unreachable")  # itertools.count() never ends


class AsyncTasks:
    """The asyncio twin of `Tasks`."""

    def __init__(self, client: AsyncKlingEdit) -> None:
        self._client = client

    async def create(
        self,
        *,
        session_id: str | Session,
        edit_mode: str,
        prompt: str,
        images: Iterable[ImageInput] | None = None,
        **options: Unpack[CreateOptions],
    ) -> Task:
        """Create an edit task (paid), exactly once; see `Tasks.create`."""
        from ._task_work import create_work

        return await self._client._create(
            *create_work(self._client._book, session_id, edit_mode, prompt, images, options)
        )

    async def remove(
        self, session_id: str | Session, *, prompt: str, **options: Unpack[CreateOptions]
    ) -> Task:
        """Create a removal task: erase the selected object."""
        return await self.create(
            session_id=session_id, edit_mode="removal", prompt=prompt, **options
        )

    async def add(
        self,
        session_id: str | Session,
        *,
        prompt: str,
        images: Iterable[ImageInput],
        **options: Unpack[CreateOptions],
    ) -> Task:
        """Create an addition task: add one or two reference images to the selected area."""
        return await self.create(
            session_id=session_id, edit_mode="addition", prompt=prompt, images=images, **options
        )

    async def swap(
        self,
        session_id: str | Session,
        *,
        prompt: str,
        image: ImageInput,
        **options: Unpack[CreateOptions],
    ) -> Task:
        """Create a swap task: replace the selected object with one reference image."""
        from ._task_work import create_work

        return await self._client._create(
            *create_work(self._client._book, session_id, "swap", prompt, [image], options, "image")
        )

    async def get(self, task: Task | str, **options: Unpack[RequestOptions]) -> Task:
        """Fetch a task's current state."""
        return await self._client._call(get_task(task_id_of(task)), options)

    async def get_by_external_id(
        self, external_task_id: str, **options: Unpack[RequestOptions]
    ) -> Task:
        """Fetch the task created with your `external_task_id`; NotFoundError if there is none."""
        from ._task_work import lookup_work

        return await self._client._call(lookup_work(external_task_id), options)

    async def list(
        self, *, page: int = 1, page_size: int = 30, **options: Unpack[RequestOptions]
    ) -> builtins.list[Task]:
        """One page of tasks, newest first (page 1-1000, page_size 1-500)."""
        return await self._client._call(list_tasks(page, page_size), options)

    def iter_all(
        self, *, page_size: int = 100, **options: Unpack[RequestOptions]
    ) -> AsyncIterator[Task]:
        """Every task, newest first, fetching pages as the iteration needs them."""
        c = self._client
        operations = pages(page_size)

        async def iterate() -> AsyncIterator[Task]:
            for operation in operations:
                tasks = await c._call(operation, options)
                for task in tasks:
                    yield task
                if len(tasks) < page_size:
                    return

        return iterate()

    async def wait(
        self,
        task: Task | str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        on_progress: Callable[[Task], object] | None = None,
        poll: PollSchedule | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Task:
        """Poll until the task succeeds; see `Tasks.wait`."""
        from ._task_work import wait_work

        flow = wait_work(self._client.poll_schedule, task, timeout, on_progress, poll)
        return await self._client._call(flow, {"extra_headers": extra_headers or {}})

    async def download(
        self,
        task: Task | str,
        dest: str | os.PathLike[str] = ".",
        *,
        max_bytes: int | None = None,
        index: int = 0,
        timeout: float | httpx.Timeout | None = None,
        on_progress: Callable[[int, int | None], object] | None = None,
    ) -> Path:
        """Stream a result video to `dest`; see `Tasks.download`."""
        from ._download import download_failure, download_plan, is_url, next_hop

        if isinstance(task, str) and not is_url(task):
            task = await self.get(task)
        url, target = download_plan(task, dest, index, max_bytes, on_progress)
        c = self._client
        c._check_open()
        try:
            request: httpx.Request | None = c._http.build_request(
                "GET", url, timeout=timeout or c.timeout
            )
            for hops in itertools.count():
                assert request is not None
                response = await c._http.send(request, stream=True)
                try:
                    request = next_hop(response, hops)
                    if request is None:
                        target.check_response(response.status_code, response.headers, url)
                        with target:
                            async for chunk in response.aiter_bytes():
                                target.write(chunk)
                            target.check_complete(response.num_bytes_downloaded)
                        return target.path
                finally:
                    await response.aclose()
        except httpx.RequestError as error:
            raise download_failure(error) from error
        raise AssertionError("unreachable")  # itertools.count() never ends
