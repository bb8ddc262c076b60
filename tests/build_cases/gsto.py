"""Minimal configs for the GSTO paper's registered classes."""
from helpers import hrnet_extra

_TINY_HR = hrnet_extra((4, 8, 16, 32), stem=8)

CASES = dict(
    SupervisedGate=dict(in_channels=8, num_classes=3),
    GatedScaleTransfer=dict(
        transfer=dict(type='SpatialGate', in_channels=4), in_channels=4),
    GSTOHRNet=dict(extra=_TINY_HR, num_classes=3),
    GSTOOfficialHRNet=dict(extra=_TINY_HR, num_classes=3),
    ResizeOnceHRNet=dict(extra=_TINY_HR),
    GSTOAuxHead=dict(num_classes=3, in_index=4),
    GSTOPSPHead=dict(
        in_channels=8, channels=4, num_classes=3, pool_scales=(1, 2)),
    GSTOASPPHead=dict(
        in_channels=8, channels=4, num_classes=3, dilations=(1, 2)),
    GSTOSepASPPHead=dict(
        in_channels=8,
        channels=4,
        num_classes=3,
        dilations=(1, 2),
        c1_in_channels=4,
        c1_channels=4),
    CityscapesIIoUMetric=dict(),
)

# HRNet's training loss
CASES.update(HRNetCrossEntropyLoss=dict(ohem_thresh=0.9, min_kept=10))
