from datetime import timedelta

from core.sweeps import sweep


@sweep("imports_expire", every=timedelta(hours=1))
def imports_expire() -> int:
    """Close imports left uncommitted and delete the files of ended ones."""
    from imports.services import imports_expire as expire

    return expire()
