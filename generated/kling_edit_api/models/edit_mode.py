from enum import StrEnum


class EditMode(StrEnum):
    ADDITION = "addition"
    REMOVAL = "removal"
    SWAP = "swap"

    def __str__(self) -> str:
        return str(self.value)
