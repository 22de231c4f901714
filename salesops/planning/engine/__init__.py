"""Framework-free planning engines: arrays and dataframes in, results out.

Nothing in this package imports Django, so the engines can be used from the `salesops`
command on CSV/JSON files, from tests, from benchmarks and from the Django layer alike.

  mrp            regenerative MRP over multi-level BOMs (vectorised, low-level codes)
  mrp_reference  the same MRP written per item in plain Python (test oracle, benchmark baseline)
  mrp_io         reading the MRP CSV files and writing its results
  aggregate      the aggregate production plan as an integer LP (HiGHS), plus level and chase
  cli            the `mrp` and `aggregate-plan` subcommands
  forecast, accuracy, forecast_cli   statistical forecasts, forecast accuracy, `forecast` subcommand
"""
