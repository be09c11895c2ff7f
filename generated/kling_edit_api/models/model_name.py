from enum import StrEnum


class ModelName(StrEnum):
    KLING_V1_6 = "kling-v1-6"

    def __str__(self) -> str:
        return str(self.value)
