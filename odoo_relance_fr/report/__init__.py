from . import relance_letter
from . import relance_statement
