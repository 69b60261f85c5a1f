# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
from . import prepaid_cloud_meter
from . import prepaid_cloud_rate_card
from . import prepaid_cloud_rate_card_line
from . import prepaid_cloud_server
from . import prepaid_cloud_server_event
from . import prepaid_cloud_usage
from . import prepaid_cloud_statement
from . import prepaid_cloud_statement_line
from . import prepaid_cloud_command
from . import res_company_cloud
from . import res_config_settings_cloud
from . import prepaid_wallet_cloud
from . import prepaid_wallet_transaction_cloud
