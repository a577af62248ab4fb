from datetime import timedelta

from core.sweeps import sweep


@sweep("vetting_expiry", every=timedelta(minutes=15))
def vetting_expiry() -> int:
    """Expire approvals past their date (access to needs ends with it) and send reminders."""
    from vetting.services import vetting_sweep

    result = vetting_sweep()
    return result["expired"] + result["reminded"]
