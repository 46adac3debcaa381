"""The Feishu edge's fixtures: a local Feishu Open API for the whole run."""

import pytest

from support.feishu_emulator import FeishuEmulator


@pytest.fixture(scope="session")
def feishu_api():
    emulator = FeishuEmulator()
    yield emulator
    emulator.stop()


@pytest.fixture
def feishu(feishu_api):
    feishu_api.reset()
    return feishu_api
