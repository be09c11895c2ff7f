from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..models.edit_mode import EditMode
from ..models.generation_mode import GenerationMode
from ..models.image_reference import ImageReference
from ..models.model_name import ModelName
from ..models.watermark_info import WatermarkInfo
from ..types import UNSET, Model, Unset

T = TypeVar("T", bound="CreateTaskRequest")


# The properties the spec names; every other key is an additional property.
_KNOWN_KEYS = frozenset(
    {
        "session_id",
        "edit_mode",
        "prompt",
        "model_name",
        "image_list",
        "negative_prompt",
        "mode",
        "duration",
        "callback_url",
        "external_task_id",
        "watermark_info",
    }
)


class CreateTaskRequest(Model):
    """
    Attributes:
        session_id (str): Selection session id returned by init-selection. Follow-up calls must use the same account and
            exact session id.
        edit_mode (EditMode): Editing operation for the selected video region. Use `addition` to add an element, `swap`
            to replace a selected element, or `removal` to remove it.
        prompt (str): Instruction describing the desired edit. Reference the source video as `<<<video_1>>>` and any
            reference image as `<<<image_1>>>`.
        model_name (ModelName | Unset): Kling model variant for the final edit task. Omit to use `kling-v1-6`. Default:
            ModelName.KLING_V1_6.
        image_list (list[ImageReference] | Unset): Image references used by `addition` (1-2) and `swap` (exactly 1)
            tasks. A `removal` omits it or sends an empty list, as Kling's own example does.
        negative_prompt (str | Unset): Elements to avoid in the edited result.
        mode (GenerationMode | Unset): Generation mode. Use `std` or `pro`.
        duration (str | Unset): Requested output duration in seconds.
        callback_url (str | Unset): Webhook URL to receive task status updates.
        external_task_id (str | Unset): Custom task id for your own tracking. Must be unique per account.
        watermark_info (WatermarkInfo | Unset): Whether a watermarked copy of the result is generated as well.
    """

    __slots__ = (
        "session_id",
        "edit_mode",
        "prompt",
        "model_name",
        "image_list",
        "negative_prompt",
        "mode",
        "duration",
        "callback_url",
        "external_task_id",
        "watermark_info",
        "additional_properties",
    )
    __match_args__ = (
        "session_id",
        "edit_mode",
        "prompt",
        "model_name",
        "image_list",
        "negative_prompt",
        "mode",
        "duration",
        "callback_url",
        "external_task_id",
        "watermark_info",
    )

    session_id: str
    edit_mode: EditMode
    prompt: str
    model_name: ModelName | Unset
    image_list: list[ImageReference] | Unset
    negative_prompt: str | Unset
    mode: GenerationMode | Unset
    duration: str | Unset
    callback_url: str | Unset
    external_task_id: str | Unset
    watermark_info: WatermarkInfo | Unset
    additional_properties: dict[str, Any]

    def __init__(
        self,
        session_id: str,
        edit_mode: EditMode,
        prompt: str,
        model_name: ModelName | Unset = ModelName.KLING_V1_6,
        image_list: list[ImageReference] | Unset = UNSET,
        negative_prompt: str | Unset = UNSET,
        mode: GenerationMode | Unset = UNSET,
        duration: str | Unset = UNSET,
        callback_url: str | Unset = UNSET,
        external_task_id: str | Unset = UNSET,
        watermark_info: WatermarkInfo | Unset = UNSET,
    ) -> None:
        self.session_id = session_id
        self.edit_mode = edit_mode
        self.prompt = prompt
        self.model_name = model_name
        self.image_list = image_list
        self.negative_prompt = negative_prompt
        self.mode = mode
        self.duration = duration
        self.callback_url = callback_url
        self.external_task_id = external_task_id
        self.watermark_info = watermark_info
        self.additional_properties = {}

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        edit_mode = self.edit_mode.value

        prompt = self.prompt

        model_name: str | Unset = UNSET
        if not isinstance(self.model_name, Unset):
            model_name = self.model_name.value

        image_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.image_list, Unset):
            image_list = []
            for image_list_item_data in self.image_list:
                image_list_item = image_list_item_data.to_dict()
                image_list.append(image_list_item)

        negative_prompt = self.negative_prompt

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        duration = self.duration

        callback_url = self.callback_url

        external_task_id = self.external_task_id

        watermark_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.watermark_info, Unset):
            watermark_info = self.watermark_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
                "edit_mode": edit_mode,
                "prompt": prompt,
            }
        )
        if model_name is not UNSET:
            field_dict["model_name"] = model_name
        if image_list is not UNSET:
            field_dict["image_list"] = image_list
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if mode is not UNSET:
            field_dict["mode"] = mode
        if duration is not UNSET:
            field_dict["duration"] = duration
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id
        if watermark_info is not UNSET:
            field_dict["watermark_info"] = watermark_info

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if type(src_dict) is not dict:
            # As the generator's `dict(src_dict)` did: [], "" or a list of pairs where an object
            # belongs read as that object, and anything else fails as it did.
            src_dict = dict(src_dict)
        session_id = src_dict["session_id"]

        edit_mode = EditMode(src_dict["edit_mode"])

        prompt = src_dict["prompt"]

        _model_name = src_dict.get("model_name", UNSET)
        model_name: ModelName | Unset
        if _model_name is UNSET:
            model_name = UNSET
        else:
            model_name = ModelName(_model_name)

        _image_list = src_dict.get("image_list", UNSET)
        image_list: list[ImageReference] | Unset = UNSET
        if _image_list is not UNSET:
            image_list = []
            for image_list_item_data in _image_list:
                image_list_item = ImageReference.from_dict(image_list_item_data)

                image_list.append(image_list_item)

        negative_prompt = src_dict.get("negative_prompt", UNSET)

        _mode = src_dict.get("mode", UNSET)
        mode: GenerationMode | Unset
        if _mode is UNSET:
            mode = UNSET
        else:
            mode = GenerationMode(_mode)

        duration = src_dict.get("duration", UNSET)

        callback_url = src_dict.get("callback_url", UNSET)

        external_task_id = src_dict.get("external_task_id", UNSET)

        _watermark_info = src_dict.get("watermark_info", UNSET)
        watermark_info: WatermarkInfo | Unset
        if _watermark_info is UNSET:
            watermark_info = UNSET
        else:
            watermark_info = WatermarkInfo.from_dict(_watermark_info)

        create_task_request = cls(
            session_id=session_id,
            edit_mode=edit_mode,
            prompt=prompt,
            model_name=model_name,
            image_list=image_list,
            negative_prompt=negative_prompt,
            mode=mode,
            duration=duration,
            callback_url=callback_url,
            external_task_id=external_task_id,
            watermark_info=watermark_info,
        )

        if not _KNOWN_KEYS.issuperset(src_dict):
            d = {
                key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS
            }

            create_task_request.additional_properties = d
        return create_task_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
