"""Service orders (服务工单): the 点单 → 派单 → 接单 → 评单 loop."""
