-- CreateTable
CREATE TABLE "sagaql_step_checkpoints" (
    "run_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "output" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("run_id", "step")
);

