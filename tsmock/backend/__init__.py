"""The simulated Timestream Write service: plain Python, no botocore."""
