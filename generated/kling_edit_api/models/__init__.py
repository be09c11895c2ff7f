"""Contains all the data models used in inputs/outputs"""

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
