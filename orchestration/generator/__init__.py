"""The synthetic operator generator: landing files to the contract, plus planted truths.

    from orchestration.generator import GeneratorConfig, generate
    result = generate(GeneratorConfig(customers=20000, months=3, seed=42, out=Path("data/landing")))
"""

from orchestration.generator.config import GenerateResult, GeneratorConfig
from orchestration.generator.pipeline import generate

__all__ = ["GenerateResult", "GeneratorConfig", "generate"]
