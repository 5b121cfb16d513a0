"""Simulated robots posting readings to the telemetry API, with real keys: demo traffic.

    python -m apis.telemetry.simulator --robots 3 --rate 1 --key ROBOT_ID=crd_… [--key …]
    python -m apis.telemetry.simulator --robots 3 --rate 2 --create-keys      (development)

Each robot drives smoothly between random waypoints in an 80 m square (it turns at most 60°
a second and eases its speed in and out), drains its battery while it works, heads back to
its dock below 25 % to charge, pauses now and then and, rarely, stops with an error for a
few seconds. It posts one reading per tick (--rate per second, for each robot) with a `seq`
that only grows. Now and then a robot loses its link for a few ticks and then sends what it
buffered as one batch, as it does after a failed request: 429 and 5xx answers and network
errors are retried with exponential backoff, honouring Retry-After. Retrying is safe: the
API stores a repeated (robot, ts, seq) once. A key the API refuses (401, 403), or no API at
the URL (404), stops its robot.

Keys: `telemetry:write` keys, each bound to one robot, written ROBOT_ID=KEY (the robot id is
shown on the profile page next to the robot's name): --key (repeat it), --keys-file (one per
line, # comments) or SIMULATOR_API_KEYS (comma-separated); a key on the command line is seen
by other local users in `ps`, the other two are not. --create-keys makes demo robots and keys
for the admin user in the local CMS database (`manage.py demo_robots`) and uses them.

Progress goes to stderr every --progress-every seconds. Ctrl+C (or SIGTERM) stops the robots,
sends what they still hold (for up to 5 s) and prints a summary; a second Ctrl+C quits at once.
Exit status: 0, or 2 for bad options or a key the API refused.
"""

# The package, module by module (`python -m apis.telemetry.simulator` runs `cli.main`):
#   path    how a robot moves: RobotPath, bearing and the movement constants
#   keys    which robots and keys to drive: --key, --keys-file, SIMULATOR_API_KEYS, --create-keys
#   client  posting readings: Simulation, SimulatedRobot, Tally, retry_delay, parse_retry_after
#   cli     the command line: options, main, Ctrl+C/SIGTERM handling
