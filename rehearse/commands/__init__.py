"""One module per `rehearse` subcommand.

Each provides `add_arguments(parser)` and `run(args) -> int`. Module level imports stay light
(argparse, pathlib): heavy libraries are imported inside `run`, so `rehearse --help` is fast.
"""
