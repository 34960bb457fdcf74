from . import relance_level
from . import relance_log
from . import res_company
from . import res_config_settings
from . import res_partner
from . import account_move
from . import relance_rate
from . import ir_actions_report
