# DDSM paper, Table 4, row "Ours" with Cityscapes pre-training (80.6 mIoU):
# as the ImageNet row, initialised from the Table 3 Cityscapes model (its
# 19-class classifiers are skipped on load: size mismatch).
_base_ = './upernet-ddsm-sc-n25_r101_4xb2-40k_camvid-720x720.py'
model = dict(pretrained=None)
load_from = ('work_dirs/upernet-ddsm-sc-n25_r101_4xb2-80k_cityscapes-'
             '1024x1024/iter_80000.pth')
