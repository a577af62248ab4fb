"""Domain errors raised by account services; views turn them into messages."""

from core import errors
from core.errors import DomainError


class AccountsError(DomainError):
    """Base: the operation was refused and nothing changed."""


class NotAllowed(AccountsError, errors.NotAllowed):
    pass


class InvitationInvalid(AccountsError):
    pass


class InvitationExpired(InvitationInvalid):
    pass


class InvitationUsed(InvitationInvalid):
    pass


class InvitationWrongAccount(InvitationInvalid):
    pass


class AlreadyMember(AccountsError):
    pass
