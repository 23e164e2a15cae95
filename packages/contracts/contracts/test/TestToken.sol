// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice The reward token in tests: an ERC-20 anyone may mint.
contract TestToken is ERC20 {
    constructor() ERC20("Swarm Test Token", "SWRMT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
