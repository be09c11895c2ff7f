"""An offline fake of the Kling multi-elements API, for demos, the CLI and tests.

``Simulator`` keeps sessions and tasks, enforces the service's rules with its real error codes,
runs tasks on a clock, sends callbacks, serves sample media and injects faults on request::

    from kling_edit.testing import Simulator

    sim = Simulator()
    client = httpx.Client(transport=sim.transport(), base_url="https://api.cometapi.com")

or over a real socket: ``with running_server(sim) as base_url: ...``.

Files it serves (relative to where it was reached):

- ``/files/sessions/{session_id}/normalized.mp4`` and ``.../preview.mp4``: the sample video
- ``/files/sessions/{session_id}/cover.png``: frame 0 of the sample video
- ``/files/sessions/{session_id}/tracking.png``: the mask of the first marked frame
- ``/files/results/{task_id}.mp4``: a finished task's video (404 once 30 days old)

``import kling_edit`` never imports this package.
"""

from ._assets import SAMPLE_COVER, SAMPLE_IMAGE, SAMPLE_VIDEO
from ._faults import ConnectionFault, Faults, RouteFaults
from ._server import running_server, serve
from ._simulator import Simulator
from ._state import FakeClock, SimResponse, SimSession, SimTask, VideoInfo
from ._transports import SimulatorTransport

__all__ = [
    "SAMPLE_COVER",
    "SAMPLE_IMAGE",
    "SAMPLE_VIDEO",
    "ConnectionFault",
    "FakeClock",
    "Faults",
    "RouteFaults",
    "SimResponse",
    "SimSession",
    "SimTask",
    "Simulator",
    "SimulatorTransport",
    "VideoInfo",
    "running_server",
    "serve",
]

# Tracebacks, reprs and help() then name the import users write, not a private module (the
# sample paths are plain `Path`s and keep theirs).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) or callable(_obj):
        _obj.__module__ = __name__
del _name, _obj
