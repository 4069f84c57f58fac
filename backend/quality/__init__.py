"""Service quality: deadlines and escalation, callbacks (回访), scorecards, rankings, dashboards."""
