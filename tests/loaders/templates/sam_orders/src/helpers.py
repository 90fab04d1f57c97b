import json


def render(body):
    return json.dumps(body)
