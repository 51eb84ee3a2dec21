/// Configs, tasks, the trainer, run folders, sweeps and reports.
public enum Lab {}
