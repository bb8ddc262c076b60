from setuptools import find_packages, setup


def get_version():
    scope = {}
    with open('mmseg_gated/version.py', encoding='utf-8') as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmseg_gated',
    version=get_version(),
    description='Gated and multi-scale feature fusion for semantic '
    'segmentation (GFF, Gated-SCNN, DDSM, hierarchical multi-scale '
    'attention, GSTO) as an MMSegmentation 1.x plugin',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests')),
    python_requires='>=3.8',
    # torch and mmcv are installed by tools/install.sh: mmcv must be built
    # against the installed torch, which pip cannot express.
    install_requires=[
        'mmengine>=0.10.0,<1.0.0',
        'mmsegmentation>=1.2.0,<1.3.0',
        'ftfy',
        'regex',
        'numpy',
        'scipy',
    ],
    extras_require={
        'tests': ['pytest>=7'],
        'cityscapes': ['cityscapesscripts'],
        # tools/deployment/pytorch2onnx.py (torch's TorchScript exporter)
        'onnx': ['onnx', 'onnxruntime'],
    },
    license='Apache License 2.0',
    zip_safe=False,
)
