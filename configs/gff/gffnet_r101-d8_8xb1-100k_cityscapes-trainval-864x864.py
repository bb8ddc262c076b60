# GFF (Li et al., AAAI 2020), Tables 5 and 7, row "GFFNet(Ours)‡ ResNet101".
# Stage 2 of 2: "By fine-tuning the model on both train-fine and val-fine
# datasets" (paper, Comparison to the State-of-the-Art): starts from the
# last checkpoint of the train-fine model,
# gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py, and trains on train + val.
# The paper gives no lr or length for this stage; its one Cityscapes
# schedule (SGD lr 1e-3, poly 0.9, 100k iterations, batch 8) applies, with
# the lr and the length restated below so that this stage can be changed
# in one place. Test-set submission,
# multi-scale 0.75..1.75 (no annotations loaded):
#   python tools/test.py THIS_CONFIG CHECKPOINT --tta
# Commands: configs/gff/README.md, "Training recipe".
_base_ = [
    './gffnet_r101-d8_8xb1-100k_cityscapes-864x864.py',
    '../_base_/datasets/cityscapes_test-server.py'
]
load_from = ('work_dirs/gffnet_r101-d8_8xb1-100k_cityscapes-864x864/'
             'iter_100000.pth')
iters = 100000
optim_wrapper = dict(optimizer=dict(lr=0.001))
param_scheduler = [dict(_base_.param_scheduler[0], end=iters)]
train_cfg = dict(max_iters=iters)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='CityscapesDataset',
                data_root='data/cityscapes/',
                data_prefix=dict(
                    img_path=f'leftImg8bit/{split}',
                    seg_map_path=f'gtFine/{split}'),
                pipeline={{_base_.train_pipeline}})
            for split in ('train', 'val')
        ]))
test_dataloader = {{_base_.test_server_dataloader}}
test_evaluator = {{_base_.test_server_evaluator}}
tta_pipeline = {{_base_.test_server_tta_pipeline}}
