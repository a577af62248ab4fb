"""Domain errors raised by account services; views turn them into messages."""


class AccountsError(Exception):
    """Base: the operation was refused and nothing changed."""


class NotAllowed(AccountsError):
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
