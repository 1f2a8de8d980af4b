from enum import StrEnum


class FollowState(StrEnum):
    FOLLOW = "FOLLOW"
    UNFOLLOW = "UNFOLLOW"

    def __str__(self) -> str:
        return str(self.value)
