"""Contains all the data models used in inputs/outputs.

Each model's module is imported on first use (PEP 562), so that a call loads only the models it
needs (openapi/templates/models_init.py.jinja).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .clear_selection_data import ClearSelectionData
    from .clear_selection_envelope import ClearSelectionEnvelope
    from .create_task_envelope import CreateTaskEnvelope
    from .create_task_request import CreateTaskRequest
    from .created_task import CreatedTask
    from .created_task_info import CreatedTaskInfo
    from .edit_mode import EditMode
    from .error_envelope import ErrorEnvelope
    from .final_balance_deduction import FinalBalanceDeduction
    from .generation_mode import GenerationMode
    from .image_reference import ImageReference
    from .init_selection_envelope import InitSelectionEnvelope
    from .init_selection_request import InitSelectionRequest
    from .model_name import ModelName
    from .object_mask import ObjectMask
    from .png_mask import PngMask
    from .point import Point
    from .preview_data import PreviewData
    from .preview_result import PreviewResult
    from .preview_selection_envelope import PreviewSelectionEnvelope
    from .rle_mask import RleMask
    from .selection_data import SelectionData
    from .selection_data_res import SelectionDataRes
    from .selection_envelope import SelectionEnvelope
    from .selection_request import SelectionRequest
    from .session_data import SessionData
    from .session_request import SessionRequest
    from .task import Task
    from .task_envelope import TaskEnvelope
    from .task_list_envelope import TaskListEnvelope
    from .task_task_info import TaskTaskInfo
    from .task_task_result import TaskTaskResult
    from .task_video import TaskVideo
    from .watermark_info import WatermarkInfo

_MODULES = {
    "ClearSelectionData": ".clear_selection_data",
    "ClearSelectionEnvelope": ".clear_selection_envelope",
    "CreateTaskEnvelope": ".create_task_envelope",
    "CreateTaskRequest": ".create_task_request",
    "CreatedTask": ".created_task",
    "CreatedTaskInfo": ".created_task_info",
    "EditMode": ".edit_mode",
    "ErrorEnvelope": ".error_envelope",
    "FinalBalanceDeduction": ".final_balance_deduction",
    "GenerationMode": ".generation_mode",
    "ImageReference": ".image_reference",
    "InitSelectionEnvelope": ".init_selection_envelope",
    "InitSelectionRequest": ".init_selection_request",
    "ModelName": ".model_name",
    "ObjectMask": ".object_mask",
    "PngMask": ".png_mask",
    "Point": ".point",
    "PreviewData": ".preview_data",
    "PreviewResult": ".preview_result",
    "PreviewSelectionEnvelope": ".preview_selection_envelope",
    "RleMask": ".rle_mask",
    "SelectionData": ".selection_data",
    "SelectionDataRes": ".selection_data_res",
    "SelectionEnvelope": ".selection_envelope",
    "SelectionRequest": ".selection_request",
    "SessionData": ".session_data",
    "SessionRequest": ".session_request",
    "Task": ".task",
    "TaskEnvelope": ".task_envelope",
    "TaskListEnvelope": ".task_list_envelope",
    "TaskTaskInfo": ".task_task_info",
    "TaskTaskResult": ".task_task_result",
    "TaskVideo": ".task_video",
    "WatermarkInfo": ".watermark_info",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_MODULES[name], __name__), name)
    globals()[name] = value
    return value


__all__ = (
    "ClearSelectionData",
    "ClearSelectionEnvelope",
    "CreatedTask",
    "CreatedTaskInfo",
    "CreateTaskEnvelope",
    "CreateTaskRequest",
    "EditMode",
    "ErrorEnvelope",
    "FinalBalanceDeduction",
    "GenerationMode",
    "ImageReference",
    "InitSelectionEnvelope",
    "InitSelectionRequest",
    "ModelName",
    "ObjectMask",
    "PngMask",
    "Point",
    "PreviewData",
    "PreviewResult",
    "PreviewSelectionEnvelope",
    "RleMask",
    "SelectionData",
    "SelectionDataRes",
    "SelectionEnvelope",
    "SelectionRequest",
    "SessionData",
    "SessionRequest",
    "Task",
    "TaskEnvelope",
    "TaskListEnvelope",
    "TaskTaskInfo",
    "TaskTaskResult",
    "TaskVideo",
    "WatermarkInfo",
)
