"""Every write of the planning area, by topic (this module gathers them for callers):

forecasting     forecast runs, reps' inputs, overrides, submitted versions
review          S&OP review packs and decisions, aggregate plan scenarios
mps             master production schedule, changes needing approval, the monthly production
                plan, acknowledgements, daily production reports, weekly fulfilment
mrp_db          MRP runs from the database and planned order conversion
"""

from salesops.planning.forecasting import (  # noqa: F401
    forecast_input_save,
    forecast_inputs_compile,
    forecast_override,
    forecast_run_create,
    forecast_run_execute,
    forecast_submit,
)
from salesops.planning.mps import (  # noqa: F401
    mps_change_request,
    mps_generate,
    plan_bucket_close,
    planning_policy_update,
    production_plan_acknowledge,
    production_plan_create,
    production_plan_issue,
    production_report_create,
)
from salesops.planning.mrp_db import (  # noqa: F401
    mrp_run_create,
    mrp_run_execute,
    planned_order_convert,
    planned_purchases_to_drafts,
)
from salesops.planning.review import (  # noqa: F401
    aggregate_scenario_create,
    sop_decision_add,
    sop_pack_close,
    sop_pack_prepare,
)
