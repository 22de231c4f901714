"""Framework-free route planning for field sales: arrays in, routes out.

Nothing in this package imports Django, so the same code serves the `salesops routes`
command on CSV files, the route-cycle page, the background planning task (in worker
processes) and the benchmarks.

  travel     distances and travel times between points (haversine × road factor at a speed;
             `TravelMatrix` takes a real distance matrix instead)
  patterns   the visiting patterns that spread an outlet's visits evenly over a cycle
  routes     the cycle planner: visits to days (CP-SAT), each day's route (routing solver),
             local search over patterns, incremental insertion of a new or changed outlet
  cli        the `routes` subcommand
"""
