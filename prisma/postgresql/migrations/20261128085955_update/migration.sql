-- CreateTable
CREATE TABLE "sagaql_step_checkpoints" (
    "run_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "output" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sagaql_step_checkpoints_pkey" PRIMARY KEY ("run_id","step")
);

