"""`make demo`: the whole kling-edit workflow in a few seconds, offline unless told otherwise.

    init a session -> mark a point on frame 0 -> preview -> save selection.png ->
    create a removal, a swap and an addition task -> wait for them -> download all three

The steps run on the embedded simulator, unless COMETAPI_KEY and DEMO_VIDEO_URL are both set:
then they run on the real service (billed: init and the three tasks). DEMO_VIDEO_URL should be a
2-5 s mp4/mov (the tasks ask for the default 5 s result); DEMO_IMAGE names the reference image of
the swap and the addition (default: the simulator's sample object). Everything lands in
demo-output/ (--out).

On the simulator the results are SIMULATED: no model runs. The simulator selects the sample
clip's ball when the point lands on it, and answers each task with a clip pre-rendered by
scripts/make_sample_media.py (the ball removed, swapped for the gift box, a gift box added), so
the three files show what each edit does, not what Kling would make of them.

The steps themselves are `kling_edit.cli.Workflow.run`, the code behind `kling-edit run`.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from kling_edit import KlingEdit, KlingEditError, PollSchedule
from kling_edit.cli import Edit, ExitCode, Plan, Workflow
from kling_edit.cli._output import error_line, exit_code_for
from kling_edit.cli._progress import ConsoleReporter
from kling_edit.testing import SAMPLE_IMAGE, Simulator

# The sample clip's orange ball sits here on frame 0.
SAMPLE_POINT = (0.125, 0.5)
# The simulator's own video is served whatever URL init gets; example.com is reserved for docs.
SAMPLE_VIDEO_URL = "https://example.com/kling-edit-sample.mp4"
# Short enough for the demo to finish in a couple of seconds, long enough to see the progress.
SIM_SUBMIT_SECONDS = 0.2
SIM_JOB_SECONDS = 1.0
SIM_POLL = PollSchedule(first=0.1, factor=1.5, maximum=0.5)
SIMULATED_NOTE = (
    "The results are simulated: clips pre-rendered from the sample (the ball removed, swapped"
    " for the gift box, a gift box added), not edits made by Kling."
)


@attrs.frozen
class Backend:
    """Where the demo runs: a client, the video to edit, and a line saying which it is."""

    client: KlingEdit
    video_url: str
    description: str
    default_point: tuple[float, float]
    simulated: bool


def choose_backend(environ: Mapping[str, str], *, force_simulator: bool = False) -> Backend:
    """The real service when COMETAPI_KEY and DEMO_VIDEO_URL are both set, else the simulator."""
    key, video_url = environ.get("COMETAPI_KEY"), environ.get("DEMO_VIDEO_URL")
    if key and video_url and not force_simulator:
        client = KlingEdit(key, base_url=environ.get("COMETAPI_BASE_URL"))
        description = f"the real service at {client.base_url}"
        return Backend(client, video_url, description, (0.5, 0.5), simulated=False)
    if force_simulator:
        why = "--simulator"
    elif key or video_url:
        missing = "DEMO_VIDEO_URL" if key else "COMETAPI_KEY"
        why = f"{missing} is not set"
    else:
        why = "set COMETAPI_KEY and DEMO_VIDEO_URL to use the real service"
    simulator = Simulator(submit_seconds=SIM_SUBMIT_SECONDS, job_seconds=SIM_JOB_SECONDS)
    client = KlingEdit.simulated(simulator, poll_schedule=SIM_POLL)
    description = f"the offline simulator ({why})"
    return Backend(client, SAMPLE_VIDEO_URL, description, SAMPLE_POINT, simulated=True)


def build_plan(video_url: str, image: Path, out: Path, point: tuple[float, float]) -> Plan:
    """The demo's three edits of one selection: remove the object, swap it for `image`, and add
    `image` above it."""
    # The API takes raw base64 (no data: prefix); the client would also accept the Path itself.
    image_base64 = base64.b64encode(image.read_bytes()).decode("ascii")
    return Plan(
        video_url=video_url,
        frame_index=0,
        points=(point,),
        selection_image=out / "selection.png",
        edits=(
            Edit(
                "removal",
                "Remove the selected object from <<<video_1>>> and fill in the background",
                dest=out / "removal.mp4",
            ),
            Edit(
                "swap",
                "Replace the selected object in <<<video_1>>> with the object in <<<image_1>>>",
                images=(image_base64,),
                dest=out / "swap.mp4",
            ),
            Edit(
                "addition",
                "Add the object in <<<image_1>>> to <<<video_1>>>, above the selected object",
                images=(image_base64,),
                dest=out / "addition.mp4",
            ),
        ),
    )


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y, such as 0.5,0.4") from None
    return x, y


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the demo; answer the exit code (the same codes as the kling-edit command)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, default=Path("demo-output"), help="output folder (demo-output)"
    )
    parser.add_argument(
        "--point", type=_point, help="X,Y of the object on frame 0 (default: the sample's ball)"
    )
    parser.add_argument(
        "--simulator", action="store_true", help="use the simulator even with COMETAPI_KEY set"
    )
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ

    image = Path(environ.get("DEMO_IMAGE") or SAMPLE_IMAGE)
    if not image.is_file():
        print(f"demo: DEMO_IMAGE {str(image)!r} is not a file", file=sys.stderr)
        return ExitCode.USAGE
    backend = choose_backend(environ, force_simulator=args.simulator)
    print(f"kling-edit demo on {backend.description}")
    if backend.simulated:
        print(SIMULATED_NOTE)
    started = time.monotonic()
    try:
        with backend.client as client:
            args.out.mkdir(parents=True, exist_ok=True)
            plan = build_plan(
                backend.video_url, image, args.out, args.point or backend.default_point
            )
            outcome = Workflow(client, ConsoleReporter(print)).run(plan)
    except KlingEditError as error:
        print(f"demo failed: {error_line(error)}", file=sys.stderr)
        return exit_code_for(error)
    except KeyboardInterrupt:
        print("demo interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    files = [outcome.selection_image, *(result.path for result in outcome.results)]
    names = ", ".join(str(path) for path in files if path is not None)
    print(f"done in {time.monotonic() - started:.1f} s: {names}")
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
