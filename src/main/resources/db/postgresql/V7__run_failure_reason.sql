-- Why a run ended 'failed' (an internal error such as the store's disk being full), as the one line isobench printed.
ALTER TABLE runs ADD COLUMN failure_reason TEXT;
