"""What "online" means for a robot, for the CMS's fleet views and the telemetry service alike."""

from datetime import timedelta

# A robot whose latest reading was *received* this recently is online (the robot's own clock,
# `ts`, may be wrong; the receiving server's is not).
ONLINE_WITHIN = timedelta(minutes=2)
ONLINE_WITHIN_MS = int(ONLINE_WITHIN.total_seconds() * 1000)
