from . import relance_manual_wizard
from . import relance_wizard
from . import relance_call_wizard
