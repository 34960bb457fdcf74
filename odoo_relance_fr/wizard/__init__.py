from . import relance_manual_wizard
