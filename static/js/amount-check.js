// 「金额已核对」 confirms the 协议资金 shown when it was ticked: editing the amount takes the tick off,
// so a tick given for one amount is never carried over to another (the server keeps the
// confirmed amount, and any other change path leaves it unconfirmed by itself).
(function () {
  "use strict";
  var amount = document.getElementById("id_agreement_capital");
  var tick = document.getElementById("id_confirm_amount");
  if (!amount || !tick) {
    return;
  }
  var confirmedFor = tick.checked ? amount.value : null;
  amount.addEventListener("input", function () {
    if (tick.checked && amount.value !== confirmedFor) {
      tick.checked = false;
    }
  });
  tick.addEventListener("change", function () {
    confirmedFor = tick.checked ? amount.value : null;
  });
})();
