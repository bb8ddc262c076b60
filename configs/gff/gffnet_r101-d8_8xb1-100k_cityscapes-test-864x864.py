# GFF (Li et al., AAAI 2020), Table 5, row "GFFNet(Ours)† ResNet101".
# The train-fine model (gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py,
# trained with that config) on the test split, multi-scale 0.75..1.75:
#   python tools/test.py THIS_CONFIG CHECKPOINT --tta
# writes the server submission (labelIds PNGs) to work_dirs/format_results.
# The test split has no labels: neither the test nor the TTA pipeline loads
# annotations.
_base_ = [
    './gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py',
    '../_base_/datasets/cityscapes_test-server.py'
]
test_dataloader = {{_base_.test_server_dataloader}}
test_evaluator = {{_base_.test_server_evaluator}}
tta_pipeline = {{_base_.test_server_tta_pipeline}}
