"""pyimagesearch: the DL4CV study package, on Keras 3."""

from pathlib import Path

from setuptools import find_packages
from setuptools import setup

HERE = Path(__file__).parent


def requirements():
    lines = (HERE / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


setup(
    name="pyimagesearch",
    version="0.1.0",
    description="Deep Learning for Computer Vision with Python, reproduced on Keras 3",
    long_description=(HERE / "README.md").read_text() if (HERE / "README.md").exists() else "",
    long_description_content_type="text/markdown",
    packages=find_packages(include=["pyimagesearch", "pyimagesearch.*"]),
    python_requires=">=3.10",
    install_requires=requirements(),
    extras_require={
        # NVIDIA GPUs on Linux: TensorFlow with its CUDA libraries
        "gpu": ["tensorflow[and-cuda]>=2.21,<2.22"],
        "dev": ["pytest>=8,<10", "pytest-xdist>=3.5,<4"],
    },
)
