"""Minimal configs for the foundation's registered classes."""


def _camvid_case(tmp_path):
    from camvid_fixture import make_segnet_camvid  # tests/ is on sys.path
    root = make_segnet_camvid(tmp_path, n_train=2, n_val=1)
    return dict(
        data_root=root, ann_file='train.txt', img_suffix='.jpg', pipeline=[])


CASES = dict(
    SpatialGate=dict(in_channels=8),
    SyntheticSegDataset=dict(num_samples=2, img_size=(32, 32)),
    CamVidDataset=_camvid_case,
)

# skipping unreadable samples during training (reliability)
CASES.update(SkipBadSamples=dict(transforms=[]))
