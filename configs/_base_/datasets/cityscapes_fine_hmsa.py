# Cityscapes fine train as the hierarchical multi-scale attention authors
# train on it alone (NVIDIA/semantic-segmentation scripts/
# train_cityscapes.yml with train.py defaults): class-uniform sampling of
# half of every epoch (--class_uniform_pct 0.5, tile 1024), random scale
# 0.5-2.0, the full 1024x2048 frame as crop (padded with the ignore label
# when the image is scaled down), flip, colour jitter 0.25, no blur. The
# pipeline and the wrapper settings are those of ./cityscapes_fine_coarse.py
# without the coarse images.
_base_ = ['./cityscapes_fine_coarse.py']
train_dataloader = dict(
    dataset=dict(
        datasets=[{{_base_.fine_train}}], centroid_classes=None, disable=[]))
