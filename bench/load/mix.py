"""The mixed traffic's shares, per request: read by the locustfile (task weights) and by the
cost estimate of bench/load.py, so both always describe the same mix."""

WEIGHTS = {
    "position": 30,  # every worker's phone, on a timer
    "queue api": 10,
    "queue page": 5,
    "screen": 10,  # every open big screen polls
    "map": 10,
    "nearest": 10,
    "report": 10,
    "event page": 10,
    "event api": 5,
}
