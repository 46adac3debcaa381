"""The one exception the domain raises for anything a user did wrong.

It carries a message-catalog key and its parameters instead of text, so the edge that
catches it can answer in the user's own language, and no traceback ever reaches them.
"""


class UserError(Exception):
    """Bad input or a missing permission: answered with one friendly sentence, nothing written."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"UserError({self.key!r}, {self.params!r})"


class FieldError(UserError):
    """A user error that belongs to one field of a form (`field_block`), where the form shows it."""

    def __init__(self, block: str, error: UserError) -> None:
        super().__init__(error.key, **{**error.params, "field_block": block})
