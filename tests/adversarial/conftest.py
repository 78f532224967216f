"""Registers the `attack` mark: `@pytest.mark.attack("name")` picks submissions/<name>/."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "attack(name): the attack submission a test drives")
